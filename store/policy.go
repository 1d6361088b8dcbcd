package store

import "fmt"

// guardedPolicy runs a program's ReloadPolicy so that a panicking hook cannot
// end the process: the panic is reported (logger and error handler, as a
// *PluginError) and the call gets Ember's default answer for that hook.
type guardedPolicy struct {
	p ReloadPolicy
	s *Cache
}

func (g guardedPolicy) guard(hook, typ string, def bool, ok *bool) {
	if v := recover(); v != nil {
		*ok = def
		g.s.reportBackground(&PluginError{Plugin: fmt.Sprintf("reload policy %T (%s)", g.p, hook), Op: OpFindRecord, Type: typ,
			Err: recovered(v)})
	}
}

func (g guardedPolicy) ShouldReloadRecord(typ, id string) (ok bool) {
	defer g.guard("ShouldReloadRecord", typ, false, &ok)
	return g.p.ShouldReloadRecord(typ, id)
}

func (g guardedPolicy) ShouldBackgroundReloadRecord(typ, id string) (ok bool) {
	defer g.guard("ShouldBackgroundReloadRecord", typ, true, &ok)
	return g.p.ShouldBackgroundReloadRecord(typ, id)
}

func (g guardedPolicy) ShouldReloadAll(typ string, cached int) (ok bool) {
	defer g.guard("ShouldReloadAll", typ, cached == 0, &ok)
	return g.p.ShouldReloadAll(typ, cached)
}

func (g guardedPolicy) ShouldBackgroundReloadAll(typ string, cached int) (ok bool) {
	defer g.guard("ShouldBackgroundReloadAll", typ, true, &ok)
	return g.p.ShouldBackgroundReloadAll(typ, cached)
}
