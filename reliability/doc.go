// Package reliability proves the figures of RELIABILITY.md §6 against the
// real binary: each test builds jinqiu once, starts `jinqiu serve`
// processes (and, where a figure needs to stop one, its own redis-server
// or mariadbd) on loopback, plays WeCom and DingTalk with the in-process
// fakes of bot/platformtest, and prints its figure as a line that starts
// with the figure's number (F1, F3, ...).
//
// The tests need MariaDB/MySQL and Redis, named by JINQIU_TEST_MYSQL_DSN
// and JINQIU_TEST_REDIS_ADDR; without them they skip, and under
// JINQIU_REQUIRE_SERVICES=1 they fail. They run at reduced sizes (a few
// minutes on 2 cores); JINQIU_RELIABILITY_FULL=1 selects the sizes of
// RELIABILITY.md §6. JINQIU_RELIABILITY_FIGURES=PATH also appends every
// figure line to PATH, since `go test` without -v shows a passing
// package's output only as "ok". A test stops, pauses or kills only the
// processes it started, by their pid.
package reliability
