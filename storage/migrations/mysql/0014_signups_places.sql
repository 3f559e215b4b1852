-- The confirmed places of an activity, and who holds them, from the index
-- alone: the digest's places and attendance (and the workbook's activity
-- counts) read each sign-up's member, which the (activity_id, state, seq)
-- queue index sent to the row for: 20,000 random reads for a province's
-- week (0.6 s), 0.04–0.24 s on this index. Re-runnable.
SET @ddl = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'signups' AND index_name = 'ix_signups_places') = 0, 'CREATE INDEX ix_signups_places ON signups (activity_id, state, member_id)', 'DO 0');
PREPARE jinqiu_ddl FROM @ddl;
EXECUTE jinqiu_ddl;
DEALLOCATE PREPARE jinqiu_ddl;
