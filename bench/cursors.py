#!/usr/bin/env python3
"""The cursors of a member list's second page and of its last page (50 rows a page), and the sort keys they seek to.

Walking a 1,000,000-member list through the API to its end takes minutes, so the cursors are made here the way the
service makes them (Http/Cursors.cs: the row's sort keys, big-endian, sealed with HMAC-SHA256 under a key that HKDF
derives from ENCRYPTION_KEY), from the keys of the row just before each page, read from the database. Then they are
checked against the service itself: page 1's next_cursor must be exactly the page-2 cursor made here, and the last
page must come back full-length with no next_cursor. A cursor the service would not have issued fails the run.
Prints JSON: {"page2", "last", "page2_key", "last_key", "rows"} (keys as the pgbench anchors take them).

    python3 bench/cursors.py BASE_URL API_KEY COMMUNITY_ID joined_at|reputation DATABASE_URL ENCRYPTION_KEY
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import sqlite3
import struct
import subprocess
import sys
import urllib.parse

PAGE = 50
DOTNET_EPOCH_TICKS = 621355968000000000  # DateTime(1970-01-01).Ticks


def hkdf_sha256(key: bytes, info: bytes, length: int = 32) -> bytes:
    prk = hmac.new(b"\0" * 32, key, hashlib.sha256).digest()  # RFC 5869 with an empty salt
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


def seal(key: bytes, list_name: str, keys: list[int]) -> str:
    payload = b"".join(struct.pack(">q", k) for k in keys)
    tag = hmac.new(key, list_name.encode() + b"\0" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(payload + tag).decode().rstrip("=")


def ticks(text: str) -> int:
    """.NET ticks of a UTC timestamp as either database returns it (whole microseconds, as the seed writes them)."""
    text = text.strip().replace("T", " ").removesuffix("+00").removesuffix("Z")
    whole, _, fraction = text.partition(".")
    moment = datetime.datetime.strptime(whole, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return DOTNET_EPOCH_TICKS + int(moment.timestamp()) * 10_000_000 + int((fraction + "0000000")[:7])


def rows_before(database: str, community: int, sort: str, offsets: list[int]) -> tuple[int, list[tuple]]:
    """How many active members the list holds, and the (key, hub_user_id) of the row at each 0-based offset."""
    key, order = ("joined_at", "joined_at, hub_user_id") if sort == "joined_at" else ("reputation", "reputation DESC, hub_user_id DESC")
    where = f"community_id = {community} AND status = 'active'"
    queries = [f"SELECT count(*) FROM community_members WHERE {where}"] + [
        f"SELECT {key}, hub_user_id FROM community_members WHERE {where} ORDER BY {order} LIMIT 1 OFFSET {o}" for o in offsets]
    if database.startswith("sqlite:"):
        with sqlite3.connect(database.removeprefix("sqlite:")) as db:
            answers = [db.execute(q).fetchone() for q in queries]
    else:
        answers = [tuple(subprocess.run(["psql", "-X", "-At", "-F", "\t", database, "-c", q], check=True, capture_output=True, text=True)
                         .stdout.strip().split("\t")) for q in queries]
    return int(answers[0][0]), [(a[0], int(a[1])) for a in answers[1:]]


def main(base: str, api_key: str, community: str, sort: str, database: str, encryption_key: str) -> None:
    key = hkdf_sha256(base64.b64decode(encryption_key), b"community-module/cursors/v1")
    list_name = f"members-{'joined' if sort == 'joined_at' else 'reputation'}/{community}"
    count, _ = rows_before(database, int(community), sort, [])
    last_start = (count - 1) // PAGE * PAGE
    if last_start < 2 * PAGE:
        raise SystemExit(f"cursors: {count} members make too short a list for page 2 and a distinct last page")
    _, rows = rows_before(database, int(community), sort, [PAGE - 1, last_start - 1])
    sort_keys = [[ticks(str(k)) if sort == "joined_at" else int(k), user] for k, user in rows]
    page2, last = (seal(key, list_name, k) for k in sort_keys)

    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    def page(cursor: str | None) -> dict:
        query = {"sort": sort, "limit": PAGE} | ({"cursor": cursor} if cursor else {})
        connection.request("GET", f"/api/v1/communities/{community}/members?{urllib.parse.urlencode(query)}", headers={"X-API-Key": api_key})
        response = connection.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise SystemExit(f"cursors: {response.status} {body}")
        return body

    if page(None)["meta"]["next_cursor"] != page2:
        raise SystemExit("cursors: page 1's next_cursor is not the page-2 cursor made here; Http/Cursors.cs and this script disagree")
    tail = page(last)
    if len(tail["data"]) != count - last_start or tail["meta"]["next_cursor"] is not None:
        raise SystemExit(f"cursors: the last page holds {len(tail['data'])} rows and next_cursor {tail['meta']['next_cursor']!r}, not the last {count - last_start}")
    print(json.dumps({"page2": page2, "last": last, "page2_key": [rows[0][0], rows[0][1]], "last_key": [rows[1][0], rows[1][1]], "rows": count},
                     default=str))


if __name__ == "__main__":
    main(*sys.argv[1:7])
