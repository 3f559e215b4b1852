// Package longconn proves the long-connection figures F24–F26: the WeCom
// AI bot's WebSocket and DingTalk Stream, each against the fakes of
// bot/platformtest over real WebSockets on loopback, with the real
// exactly-once pipeline on SQLite and replicas run in-process (a kill
// cancels a replica without cleanup: its socket closes as a dead
// process's would, and its lease is left to lapse). Reduced sizes by
// default; JINQIU_RELIABILITY_FULL=1 selects the full ones, as in
// ./reliability. Each test prints its figure as a line starting F24, F25
// or F26 (also appended to JINQIU_RELIABILITY_FIGURES when set).
package longconn
