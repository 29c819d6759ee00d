package provider

import (
	"fmt"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

// The ephemeral and data source schema packages have distinct but parallel types; these two
// functions and the output constructors are the only places that know both, so each token type
// is described once.

func (t tokenType) ephemeralSchema() eschema.Schema {
	attrs := map[string]eschema.Attribute{}
	for i := range t.inputs {
		in := t.inputs[i] // a copy: envVar is set for this schema only
		in.envVar = t.envVar(in)
		d := t.inputDescription(in)
		if in.ephemeralValue {
			d += " Accepts an ephemeral value, such as an ephemeral variable."
		}
		attrs[in.name] = in.kind.ephemeral(in, d)
	}
	for _, out := range t.outputs {
		attrs[out.name] = out.ephemeral
	}
	return eschema.Schema{
		MarkdownDescription: t.description + "\n\nAs an ephemeral resource the token is never written to " +
			"state or to a plan file; it is fetched again during plan and during apply.",
		Attributes: attrs,
	}
}

func (t tokenType) dataSourceSchema() dschema.Schema {
	attrs := map[string]dschema.Attribute{}
	for i := range t.inputs {
		in := t.inputs[i]
		if in.ephemeral {
			continue
		}
		in.envVar = t.envVar(in)
		d := t.inputDescription(in)
		if in.ephemeralValue {
			d += fmt.Sprintf(" Terraform refuses an ephemeral value in a data source argument, and a configured value "+
				"is stored in state: to keep it out, use `%s`, or the ephemeral resource.", in.envVar)
		}
		attrs[in.name] = in.kind.dataSource(in, d)
	}
	for _, out := range t.outputs {
		attrs[out.name] = out.dataSource
	}
	return dschema.Schema{
		MarkdownDescription: t.description + fmt.Sprintf("\n\nAs a data source the results, the access "+
			"token included, are stored in state (marked sensitive). Prefer the `%s` ephemeral resource "+
			"wherever the consumer accepts ephemeral values: it never writes the token to state or plan.", t.name),
		Attributes: attrs,
	}
}
