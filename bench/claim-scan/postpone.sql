-- DeliveryDispatcher.Postpone, as run when the circuit of webhook u0 opens (reopen 30 s from now).
EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON)
UPDATE deliveries d SET next_attempt_at = now() + interval '30 s'
WHERE d.status = 0 AND d.next_attempt_at < now() + interval '30 s'
  AND CASE WHEN d.channel = 4
           THEN 'webhook:' || coalesce((SELECT p.webhook_url FROM notification_preferences p WHERE p.user_id = d.user_id), '')
           ELSE 'channel:' || d.channel END = 'webhook:http://127.0.0.1:9/hook/0';
