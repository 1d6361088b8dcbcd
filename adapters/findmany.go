package adapters

import (
	"strings"

	"github.com/larder-go/larder/store"
)

// defaultMaxURLLength is Ember Data's maxURLLength.
const defaultMaxURLLength = 2048

// groupFindMany splits the ids of a coalesced find into requests whose URLs
// stay within MaxURLLength, as Ember's groupRecordsForFindMany. An id holding
// the style's list separator (a comma for JSON:API's filter[id]) cannot be told
// from two ids in one value, so it is fetched alone.
func (c *Config) groupFindMany(st *style, typ string, ids []string) [][]string {
	limit := c.MaxURLLength
	if limit <= 0 {
		limit = defaultMaxURLLength
	}
	var groups [][]string
	var cur []string
	length := func(g []string) int {
		_, target, err := c.route(st, &store.Request{Op: store.OpFindMany, Type: typ, IDs: g})
		if err != nil {
			return limit + 1
		}
		return len(target)
	}
	for _, id := range ids {
		if st.separator != "" && c.URLs.FindMany == nil && strings.Contains(id, st.separator) {
			groups = append(groups, []string{id})
			continue
		}
		if len(cur) > 0 && length(append(cur[:len(cur):len(cur)], id)) > limit {
			groups = append(groups, cur)
			cur = nil
		}
		cur = append(cur, id)
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}
