"""Uploads a file with Microsoft's own Python SDK task, msgraph-core's LargeFileUploadTask.

Usage: sdk_upload.py [--patched] GRAPH_BASE TOKEN COLLECTION ITEM_ID FILE CHUNK_BYTES

As published (msgraph-core 1.5.2) the task cannot finish a file of more than one range on
the Outlook upload host; `--patched` mends the two causes, in how it reads replies only,
so that its transfer loop can be measured at all (see docs/benchmarks.md).

Creates the upload session (POST .../attachments/createUploadSession, as attache and the
curl run do), then hands it to LargeFileUploadTask, which sends the ranged PUTs. Prints one
JSON line: how many bytes the task was given and whether it reported a Location.
"""

import asyncio
import json
import os
import sys
from datetime import datetime, timedelta, timezone

import httpx
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from kiota_abstractions.serialization import ParseNodeFactoryRegistry
from kiota_http.httpx_request_adapter import HttpxRequestAdapter
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph_core.models import LargeFileUploadSession
from msgraph_core.tasks.large_file_upload import LargeFileUploadTask


def patch():
    """The two mends `--patched` applies; neither changes what a request carries.

    1. The task reads only camelCase keys, but the Outlook upload host answers a PUT in
       PascalCase (`NextExpectedRanges`, as in Microsoft's walkthrough), so the task never
       learns the next range and its last PUT is refused (416).
    2. It turns the server's next range `"n"` into `"n-"` and then parses the missing end
       with `int('')`, a ValueError, so every range after the first fails.
    """
    camel_case_fields = LargeFileUploadSession.get_field_deserializers

    def both_casings(self):
        fields = camel_case_fields(self)
        fields["ExpirationDateTime"] = fields["expirationDateTime"]
        fields["NextExpectedRanges"] = fields["nextExpectedRanges"]
        return fields

    LargeFileUploadSession.get_field_deserializers = both_casings

    def set_next_range(self, value):
        if value:
            start, _, end = value.partition("-")
            end = end.strip("-") or str(min(int(start) + self.max_chunk_size, self.file_size) - 1)
            value = f"{start}-{end}"
        self._next_range = value

    LargeFileUploadTask.next_range = property(LargeFileUploadTask.next_range.fget, set_next_range)


async def main(base, token, collection, item, path, chunk):
    size = os.path.getsize(path)
    body = {"AttachmentItem": {"attachmentType": "file", "name": os.path.basename(path), "size": size}}
    async with httpx.AsyncClient() as client:
        reply = await client.post(
            f"{base}/me/{collection}/{item}/attachments/createUploadSession",
            headers={"Authorization": f"Bearer {token}"},
            json=body,
        )
        reply.raise_for_status()
        created = reply.json()

    session = LargeFileUploadSession()
    session.upload_url = created["uploadUrl"]
    session.expiration_date_time = datetime.now(timezone.utc) + timedelta(hours=1)
    session.next_expected_ranges = created["nextExpectedRanges"]
    registry = ParseNodeFactoryRegistry()
    registry.CONTENT_TYPE_ASSOCIATED_FACTORIES["application/json"] = JsonParseNodeFactory()
    # Anonymous: the upload URL carries its own authtoken and takes no bearer token.
    adapter = HttpxRequestAdapter(AnonymousAuthenticationProvider(), parse_node_factory=registry)
    with open(path, "rb") as stream:
        task = LargeFileUploadTask(session, adapter, stream, max_chunk_size=chunk)
        result = await task.upload()
    print(json.dumps({"size": size, "location": result.location is not None}))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[0] == "--patched":
        patch()
        arguments = arguments[1:]
    base, token, collection, item, path, chunk = arguments[:6]
    asyncio.run(main(base, token, collection, item, path, int(chunk)))
