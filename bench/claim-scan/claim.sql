BEGIN;
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
WITH due AS (
    SELECT d.id, d.next_attempt_at, k.destination
    FROM deliveries d
    LEFT JOIN notification_preferences p ON p.user_id = d.user_id AND d.channel = 4
    CROSS JOIN LATERAL (SELECT CASE WHEN d.channel = 4 THEN 'webhook:' || coalesce(p.webhook_url, '')
                                    ELSE 'channel:' || d.channel END AS destination) k
    WHERE d.status IN (0, 1) AND d.next_attempt_at <= now()
      AND (d.status = 0 OR d.lease_until < now())
      AND NOT (k.destination = ANY(:blocked))
    ORDER BY d.next_attempt_at
    LIMIT 64
    FOR UPDATE OF d SKIP LOCKED
), ranked AS (
    SELECT id, next_attempt_at, destination, row_number() OVER (PARTITION BY destination ORDER BY next_attempt_at, id) AS place FROM due
), chosen AS (
    SELECT r.id, r.destination FROM ranked r
    LEFT JOIN unnest('{}'::text[], '{}'::int[]) AS b(destination, room) ON b.destination = r.destination
    WHERE r.place <= coalesce(b.room, CASE WHEN r.destination LIKE 'webhook:%' THEN 1 ELSE 8 END)
    ORDER BY r.next_attempt_at, r.id
    LIMIT 16
)
UPDATE deliveries d SET status = 1, lease_token = gen_random_uuid(), lease_until = now() + interval '15 s',
    next_attempt_at = now() + interval '15 s', attempts = d.attempts + 1, cap_reserved = false
FROM chosen c WHERE d.id = c.id
RETURNING d.id;
ROLLBACK;
