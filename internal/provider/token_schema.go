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
		attrs[in.name] = in.kind.ephemeral(in, t.inputDescription(in))
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
		attrs[in.name] = in.kind.dataSource(in, t.inputDescription(in))
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
