-- A page of 51 members (50 and one to know whether more follow) after a cursor, oldest first: the keyset query the
-- members list needs, with the username the page shows. pgbench -D community=… -D key='…' -D user=…
SELECT m.id, m.community_id, m.hub_user_id, m.role, m.reputation, m.status, m.joined_at, m.updated_at,
       m.banned_at, m.ban_reason, m.ban_expires_at, u.username
FROM community_members AS m
JOIN hub_users AS u ON u.id = m.hub_user_id
WHERE m.community_id = :community::bigint AND m.status = 'active'
  AND (m.joined_at, m.hub_user_id) > (:key::timestamptz, :user::bigint)
ORDER BY m.joined_at, m.hub_user_id
LIMIT 51;
