package inspect

import (
	"fmt"
	"io"
	"strings"

	"github.com/larder-go/larder/store"
)

// WriteStats writes st as a table for a terminal: counters that are zero are
// left out, except the hits and misses.
func WriteStats(w io.Writer, st store.Stats) error {
	var b strings.Builder
	ratio := func(c store.Counts) string {
		if c.Hits+c.Misses == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*c.Ratio())
	}
	fmt.Fprintf(&b, "%-22s %10d hits %10d misses  %s\n", "peeks", st.Peeks.Hits, st.Peeks.Misses, ratio(st.Peeks))
	fmt.Fprintf(&b, "%-22s %10d hits %10d misses  %s\n", "finds", st.Finds.Hits, st.Finds.Misses, ratio(st.Finds))
	line := func(name string, n uint64) {
		if n != 0 {
			fmt.Fprintf(&b, "%-22s %10d\n", name, n)
		}
	}
	for op := store.OpFindRecord; op <= store.OpCustom; op++ {
		line("requests "+op.String(), st.Requests.Of(op))
	}
	line("shared finds", st.Shared)
	line("coalesced requests", st.Coalesced)
	line("coalesced finds", st.CoalescedFinds)
	line("background reloads", st.BackgroundReloads)
	for name, n := range st.Errors.All() {
		line("errors "+name, n)
	}
	line("pushes", st.Pushes)
	line("records pushed", st.RecordsPushed)
	fmt.Fprintf(&b, "%-22s %10d\n%-22s %10d\n%-22s %10d\n", "records", st.Records, "identifiers", st.Identifiers, "live arrays", st.LiveArrays)
	_, err := io.WriteString(w, b.String())
	return err
}
