-- A page of 51 members after a cursor, highest reputation first (ties: newest hub user first).
-- pgbench -D community=… -D key=… -D user=…
SELECT m.id, m.community_id, m.hub_user_id, m.role, m.reputation, m.status, m.joined_at, m.updated_at,
       m.banned_at, m.ban_reason, m.ban_expires_at, u.username
FROM community_members AS m
JOIN hub_users AS u ON u.id = m.hub_user_id
WHERE m.community_id = :community::bigint AND m.status = 'active'
  AND (m.reputation, m.hub_user_id) < (:key::int, :user::bigint)
ORDER BY m.reputation DESC, m.hub_user_id DESC
LIMIT 51;
