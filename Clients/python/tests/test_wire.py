"""The client's encoding against the worked example of docs/PROTOCOL.md §10, byte for byte."""

from __future__ import annotations

from mms_client import _wire
from mms_client import messages as pb


def hex_bytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


def test_health_check_request_is_the_documented_bytes() -> None:
    request = _wire.frame(
        _wire.FrameType.REQUEST,
        1,
        _wire.encode_request("mms.v1.Health/Check", 0, [], pb.HealthCheckRequest().SerializeToString()),
    )
    documented = hex_bytes("""
        00 00 00 1F 02 00 00 00 00 01
        00 13 6D 6D 73 2E 76 31 2E 48 65 61 6C 74 68 2F 43 68 65 63 6B
        00 00 00 00 00 00 00 00
        00 00
    """)
    assert _wire.PREFACE == hex_bytes("4D 4D 53 52 50 43 01 01")
    assert request == documented


def test_documented_server_answer_decodes() -> None:
    answer = hex_bytes("""
        4D 4D 53 52 50 43 01 01
        00 00 00 12 01 00 00 00 00 00
        00 01 00 40 00 00  00 02 00 00 04 00  00 03 00 00 20 00
        00 00 00 02 03 01 00 00 00 01
        08 01
    """)
    assert _wire.check_preface(answer[:8]) == (1, 1)
    settings_header = _wire.decode_header(answer[8:18])
    assert (settings_header.type, settings_header.call_id, settings_header.length) == (_wire.FrameType.SETTINGS, 0, 18)
    settings = _wire.decode_settings(answer[18:36])
    assert settings == {1: 4_194_304, 2: 1024, 3: 8192}
    response_header = _wire.decode_header(answer[36:46])
    assert (response_header.type, response_header.flags, response_header.call_id) == (
        _wire.FrameType.RESPONSE,
        _wire.FLAG_END_OK,
        1,
    )
    response = pb.HealthCheckResponse.FromString(answer[46 : 46 + response_header.length])
    assert response.status == pb.SERVING_STATUS_SERVING


def test_metadata_and_status_round_trip() -> None:
    metadata = [("authorization", "Bearer s3cr3t"), ("x-trace", "café")]
    encoded = _wire.encode_metadata(metadata)
    assert encoded[:2] == b"\x00\x02"
    assert _wire.metadata_size(metadata) == len("authorization") + len("Bearer s3cr3t") + len("x-trace") + len(
        "café".encode()
    )
    status = b"\x05" + b"\x00\x09not found" + b"\x00\x00\x00\x00" + encoded
    decoded = _wire.decode_status(status)
    assert (decoded.code, decoded.message, decoded.details, decoded.trailing_metadata) == (
        5,
        "not found",
        b"",
        metadata,
    )


def test_bad_metadata_key_is_refused_before_sending() -> None:
    for key in ("Authorization", "", "a b"):
        try:
            _wire.encode_metadata([(key, "v")])
        except ValueError as error:
            assert repr(key) in str(error)
        else:
            raise AssertionError(f"key {key!r} was accepted")


def test_goaway_last_call_id_is_read_when_present() -> None:
    # §7: u32 code, string16 reason, then (protocol 1.1) u32 last call id.
    new = bytes.fromhex("00000000" "0003") + b"bye" + bytes.fromhex("00000029")
    goaway = _wire.decode_goaway(new)
    assert (goaway.code, goaway.reason, goaway.last_call_id) == (0, "bye", 41)
    # A 1.0 server sends no last call id: nothing is known about which calls ran.
    old = bytes.fromhex("00000005" "0004") + b"idle"
    assert _wire.decode_goaway(old).last_call_id is None
    assert _wire.PREFACE == b"MMSRPC\x01\x01"
