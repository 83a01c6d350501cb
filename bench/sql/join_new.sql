-- The minimal transaction of a new viewer's join, in one round trip: the hub user and its account, the membership at
-- the starting score, member_count + 1, and what the contract requires beside them: the user.created and
-- member.joined events (ids from the lock-free trigger, no global lock) and an audit entry for each, with payloads
-- shaped like the service's. The community's row lock (member_count) is the only lock writers share.
-- (No literal may contain a colon: pgbench would read ":name" inside it as a variable, hence json_build_object.)
-- pgbench -D community=…
WITH u AS (
    INSERT INTO hub_users (username, is_active, created_at, updated_at)
    VALUES ('pgbench-viewer', true, now(), now())
    RETURNING id, username, created_at
), i AS (
    INSERT INTO user_identities (hub_user_id, platform, platform_user_id, platform_username, is_primary, linked_at, last_seen_at)
    SELECT id, 'twitch', 'pgbench-' || id, username, true, now(), now() FROM u
    RETURNING hub_user_id, platform, platform_user_id, platform_username
), m AS (
    INSERT INTO community_members (community_id, hub_user_id, role, reputation, status, joined_at, updated_at)
    SELECT :community::bigint, id, 'member', 600, 'active', now(), now() FROM u
    RETURNING community_id, hub_user_id, role, reputation, status, joined_at, updated_at
), c AS (
    UPDATE communities SET member_count = member_count + 1 WHERE id = :community::bigint
), member AS (
    SELECT m.community_id, json_build_object('community_id', m.community_id, 'hub_user_id', m.hub_user_id, 'username', u.username,
               'role', m.role, 'reputation', m.reputation, 'reputation_tier', 'Fair', 'status', m.status,
               'joined_at', m.joined_at, 'updated_at', m.updated_at, 'ban', NULL) AS json
    FROM m, u
), created AS (
    SELECT json_build_object('user', json_build_object('id', u.id, 'username', u.username, 'avatar_url', NULL, 'created_at', u.created_at),
               'identity', json_build_object('platform', i.platform, 'platform_user_id', i.platform_user_id, 'platform_username', i.platform_username)) AS json
    FROM u, i
), e AS (
    INSERT INTO events (type, community_id, occurred_at, data_json)
    SELECT 'user.created', NULL::bigint, now(), json::text FROM created
    UNION ALL
    SELECT 'member.joined', community_id, now(),
           json_build_object('member', json, 'platform', 'twitch', 'welcome_message', 'Welcome to bench 1, pgbench-viewer!')::text
    FROM member
), a AS (
    INSERT INTO audit_log (community_id, actor_type, actor_id, action, target_type, target_id, before_json, after_json, occurred_at)
    SELECT NULL::bigint, 'service', 'bench', 'user.created', 'hub_user', u.id::text, NULL, created.json::text, now() FROM u, created
    UNION ALL
    SELECT community_id, 'service', 'bench', 'member.joined', 'member', (json->>'hub_user_id'), NULL, json::text, now() FROM member
)
SELECT id FROM u;
