package storage

// DigestSQL returns the digest's queries for a range, for the EXPLAIN
// check of the province benchmark.
func DigestSQL(r DigestRange) (names, queries []string, args [][]any) {
	for _, q := range digestQueries(r, MySQL) {
		names, queries, args = append(names, q.name), append(queries, q.sql), append(args, q.args)
	}
	tq, ta := topQuery(r)
	names, queries, args = append(names, "top"), append(queries, tq), append(args, ta)
	for _, m := range r.Meetings {
		q, a := heldSQL(r, m)
		names, queries, args = append(names, "held "+string(m.Kind)), append(queries, q), append(args, a)
	}
	return names, queries, args
}
