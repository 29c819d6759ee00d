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
		if in, ok := attrs[out.name]; ok {
			attrs[out.name] = ephemeralInOut(in, out.ephemeral)
			continue
		}
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
		if in, ok := attrs[out.name]; ok {
			attrs[out.name] = dataSourceInOut(in, out.dataSource)
			continue
		}
		attrs[out.name] = out.dataSource
	}
	return dschema.Schema{
		MarkdownDescription: t.description + fmt.Sprintf("\n\nAs a data source the results, the access "+
			"token included, are stored in state (marked sensitive). Prefer the `%s` ephemeral resource "+
			"wherever the consumer accepts ephemeral values: it never writes the token to state or plan.", t.name),
		Attributes: attrs,
	}
}

// An input that is also a result (github_app_token's installation_id) is Optional and Computed:
// a configured value is the result as it is (Terraform requires that), and without one the
// provider sets it from the grant. The description says both.

func ephemeralInOut(in, out eschema.Attribute) eschema.Attribute {
	d := in.GetMarkdownDescription() + " As a result: " + out.GetMarkdownDescription()
	switch a := in.(type) {
	case eschema.StringAttribute:
		a.Computed, a.MarkdownDescription = true, d
		return a
	case eschema.ListAttribute:
		a.Computed, a.MarkdownDescription = true, d
		return a
	case eschema.MapAttribute:
		a.Computed, a.MarkdownDescription = true, d
		return a
	}
	panic(fmt.Sprintf("input %T cannot also be a result", in)) // a programming error, caught by every test
}

func dataSourceInOut(in, out dschema.Attribute) dschema.Attribute {
	d := in.GetMarkdownDescription() + " As a result: " + out.GetMarkdownDescription()
	switch a := in.(type) {
	case dschema.StringAttribute:
		a.Computed, a.MarkdownDescription = true, d
		return a
	case dschema.ListAttribute:
		a.Computed, a.MarkdownDescription = true, d
		return a
	case dschema.MapAttribute:
		a.Computed, a.MarkdownDescription = true, d
		return a
	}
	panic(fmt.Sprintf("input %T cannot also be a result", in))
}
