// Command terraform-provider-standin serves the test-only stand-in providers (package standin)
// for terraform validate through dev_overrides: run as terraform-provider-<name> (a link to it
// under that name), it serves the stand-in of that provider type. Tests build it; it is never
// released.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/authtoken/terraform-provider-authtoken/internal/acctest/standin"
)

func main() {
	p, ok := standin.ForBinary(os.Args[0])
	if !ok {
		var names []string
		for _, p := range standin.All() {
			names = append(names, "terraform-provider-"+p.TypeName)
		}
		fmt.Fprintf(os.Stderr, "%s: no stand-in by this name; run it as one of %s\n", os.Args[0], strings.Join(names, ", "))
		os.Exit(2)
	}
	standin.Serve(p)
}
