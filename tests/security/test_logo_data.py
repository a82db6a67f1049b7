"""A logo whose chunks are well formed but whose image data is broken (Pillow's ``verify``
reads a PNG's chunks and checksums, not its compressed pixels) is refused at upload: stored,
it made every PDF of the tenant fail. The logo in place stays, and the PDFs still print."""

from __future__ import annotations

import struct
import zlib

import pytest

from tests.documents.support import QUOTATIONS, SETTINGS, png, quoting_world, worked_example_body
from tests.support import TenantWorld


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = struct.pack(">I", zlib.crc32(kind + data))
    return struct.pack(">I", len(data)) + kind + data + checksum


def _png_with_data(data: bytes, width: int = 50, height: int = 20) -> bytes:
    """A PNG of RGB pixels whose IDAT holds ``data``, every chunk's CRC right."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


BROKEN = {
    "not zlib": _png_with_data(b"these are not compressed pixels"),
    "too few pixels": _png_with_data(zlib.compress(b"\x00" * 10)),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_logo_with_broken_image_data_is_refused(world: TenantWorld, case: str) -> None:
    lead_id, inventory_id = quoting_world(world.admin)
    quote = world.manager.ok(
        "POST", QUOTATIONS, 201, json=worked_example_body(lead_id, inventory_id)
    )
    logo = png()
    world.admin.ok("PUT", f"{SETTINGS}/logo", files={"logo": ("l.png", logo, "image/png")})

    refused = world.admin.request(
        "PUT", f"{SETTINGS}/logo", files={"logo": ("x.png", BROKEN[case], "image/png")}
    )

    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == "the logo's image data is broken"
    assert world.manager.get(f"{SETTINGS}/logo").content == logo
    assert world.manager.get(f"{QUOTATIONS}/{quote['id']}/pdf").status_code == 200
