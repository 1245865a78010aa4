TRUNCATE deliveries, notification_preferences;
INSERT INTO notification_preferences (user_id,email_enabled,push_enabled,sms_enabled,webhook_enabled,email_daily_cap,push_daily_cap,sms_daily_cap,webhook_daily_cap,quiet_mode,phone_code_attempts,webhook_url)
SELECT 'u'||i, true,false,false,true,100,100,100,100,0,0, 'http://127.0.0.1:9/hook/'||i FROM generate_series(0,10) i;
-- history: 100k finished rows (not in the partial index)
INSERT INTO deliveries (user_id,channel,status,attempts,created_at,next_attempt_at,completed_at)
SELECT 'u'||(i%11), 4, 2, 1, now()-interval '2 days', null, now()-interval '1 day' FROM generate_series(1,100000) i;
-- the dead webhook's backlog (user u0), due before everyone else, when :backlog = 1
INSERT INTO deliveries (user_id,channel,status,attempts,created_at,next_attempt_at)
SELECT 'u0', 4, 0, 3, now()-interval '2 hours', now()-interval '1 hour' + i*interval '1 ms' FROM generate_series(1,:backlog) i;
-- 10 healthy users, one due webhook row each
INSERT INTO deliveries (user_id,channel,status,attempts,created_at,next_attempt_at)
SELECT 'u'||i, 4, 0, 0, now(), now()-interval '1 minute' FROM generate_series(1,10) i;
ANALYZE deliveries; ANALYZE notification_preferences;
