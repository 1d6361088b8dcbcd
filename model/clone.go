package model

import "reflect"

// DeepCopy returns a copy of v that shares no mutable memory with it: slices,
// maps, pointers and interface values are copied recursively. Channels and
// functions are shared. Cycles through pointers are followed once.
func DeepCopy(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	deepCopy(out, v, map[uintptr]reflect.Value{})
	return out
}

func deepCopy(dst, src reflect.Value, seen map[uintptr]reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		if p, ok := seen[src.Pointer()]; ok {
			dst.Set(p)
			return
		}
		p := reflect.New(src.Type().Elem())
		seen[src.Pointer()] = p
		deepCopy(p.Elem(), src.Elem(), seen)
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(s.Index(i), src.Index(i), seen)
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			k := reflect.New(src.Type().Key()).Elem()
			deepCopy(k, it.Key(), seen)
			val := reflect.New(src.Type().Elem()).Elem()
			deepCopy(val, it.Value(), seen)
			m.SetMapIndex(k, val)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		c := reflect.New(src.Elem().Type()).Elem()
		deepCopy(c, src.Elem(), seen)
		dst.Set(c)
	case reflect.Struct:
		if !dst.CanSet() {
			return
		}
		dst.Set(src) // copies unexported fields too
		for i := range src.NumField() {
			if f := dst.Field(i); f.CanSet() && needsClone(f.Type()) {
				deepCopy(f, src.Field(i), seen)
			}
		}
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i), seen)
		}
	default:
		dst.Set(src)
	}
}
