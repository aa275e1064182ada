"""Licence detection: texts told apart by their own phrases, metadata expressions, file headers."""

from __future__ import annotations

import pytest

from curate.sources.licenses import detect_license, file_license, match_text, normalize_expression

GRANT = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software"
NOTICE = "The above copyright notice and this permission notice shall be included in all copies."
ISC = "Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee"
BSD = "Redistributions of source code must retain the above copyright notice, this list of conditions."
BIN = "Redistributions in binary form must reproduce the above copyright notice."
FILLER = "terms " * 200  # a licence names others in its body, past the title


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        (f"MIT License\n\n{GRANT}\n\n{NOTICE}", "MIT"),
        (f"MIT No Attribution\n\n{GRANT}, to deal in the Software without restriction.", "MIT-0"),
        (f"{ISC} is hereby granted, provided that the above copyright notice and this permission "
         "notice appear in all copies.", "ISC"),
        (f"{ISC} is hereby granted.\n\nIN NO EVENT SHALL THE AUTHOR BE LIABLE", "0BSD"),
        (f"{BSD}\n{BIN}\nNeither the name of the copyright holder nor ...", "BSD-3-Clause"),
        (f"{BSD}\n{BIN}", "BSD-2-Clause"),
        ("                 Apache License\n           Version 2.0, January 2004", "Apache-2.0"),
        (f"GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n{FILLER}GNU Affero General Public License",
         "GPL-3.0-only"),
        ("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007", "AGPL-3.0-only"),
        (f"Mozilla Public License Version 2.0\n{FILLER}GNU General Public License", "MPL-2.0"),
        ("This is free and unencumbered software released into the public domain.", "Unlicense"),
        ("All rights reserved. Do not copy.", None),
    ],
)  # fmt: skip
def test_licence_texts(text, spdx):
    assert match_text(text) == spdx


def test_metadata_and_headers():
    assert normalize_expression("MIT OR Apache-2.0") == "MIT OR Apache-2.0"
    assert normalize_expression("Apache 2.0") == "Apache-2.0" and normalize_expression("Proprietary") is None
    files = {"package.json": b'{"name": "x", "license": "ISC"}', "LICENSE": f"{GRANT}\n{NOTICE}".encode()}
    assert detect_license(files) == "ISC"  # stated metadata wins over the matched text
    assert detect_license({"LICENSE.md": f"{GRANT}\n{NOTICE}".encode(), "README.md": b"hi"}) == "MIT"
    assert detect_license({"Cargo.toml": b'[package]\nlicense = "not a licence"\n'}) == "unknown"
    assert file_license(b"# SPDX-License-Identifier: BSD-3-Clause\nimport os\n") == "BSD-3-Clause"
    assert file_license(b"/* SPDX-License-Identifier: MIT */\n") == "MIT"
    assert file_license(b"import os\n") is None
