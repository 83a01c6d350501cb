-- The one query a join of an already-active member needs: the channel's community, the account's hub user and its
-- membership, ban state included. Everything the service answers with (and decides on) comes back in this row.
-- pgbench -D channel=… -D hot=…
\set j random(1, :hot)
SELECT c.id, c.name, c.is_active, i.hub_user_id, i.platform_username, i.avatar_url, i.last_seen_at,
       u.username, u.is_active AS user_active, u.merged_into_id,
       m.role, m.reputation, m.status, m.joined_at, m.updated_at, m.banned_at, m.ban_reason, m.ban_expires_at
FROM community_platforms AS p
JOIN communities AS c ON c.id = p.community_id
LEFT JOIN user_identities AS i ON i.platform = p.platform AND i.platform_user_id = :channel::text || '-' || :j::text
LEFT JOIN hub_users AS u ON u.id = i.hub_user_id
LEFT JOIN community_members AS m ON m.community_id = c.id AND m.hub_user_id = i.hub_user_id
WHERE p.platform = 'twitch' AND p.platform_community_id = :channel::text
ORDER BY p.is_active DESC
LIMIT 1;
