#!/usr/bin/env python3
"""The cursors of a member list's second page and of its last page (50 rows a page), found by walking the list through
the API as a client would (cursors are signed: only the service makes them). Walks in pages of 200 to the end, then in
pages of 50 from the last 200-page's cursor. Prints JSON: {"page2", "last", "last_start", "rows"}, where last_start is
the 0-based position of the last page's first row (the pgbench anchor seeks to the same row).

    python3 bench/cursors.py BASE_URL API_KEY COMMUNITY_ID joined_at|reputation
"""
import http.client
import json
import sys
import urllib.parse


def main(base: str, key: str, community: str, sort: str) -> None:
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    def page(limit: int, cursor: str | None) -> tuple[int, str | None]:
        query = {"sort": sort, "limit": limit} | ({"cursor": cursor} if cursor else {})
        connection.request("GET", f"/api/v1/communities/{community}/members?{urllib.parse.urlencode(query)}", headers={"X-API-Key": key})
        response = connection.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise SystemExit(f"cursors: {response.status} {body}")
        return len(body["data"]), body["meta"]["next_cursor"]

    _, page2 = page(50, None)
    position, cursor = 0, None  # cursor: after the first `position` rows
    while True:
        rows, following = page(200, cursor)
        if following is None:
            break
        position, cursor = position + rows, following
    while True:
        rows, following = page(50, cursor)
        if following is None:
            break
        position, cursor = position + rows, following
    print(json.dumps({"page2": page2, "last": cursor, "last_start": position, "rows": position + rows}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
