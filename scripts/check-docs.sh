#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Validate the project's reStructuredText with docutils: any warning fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
/usr/bin/python3 - "$top" <<'PY'
import sys, pathlib
import docutils.core, docutils.utils

top = pathlib.Path(sys.argv[1])
docs = [top / "Documentation/admin-guide/mm/free_page_reporting.rst",
        top / "Documentation/mm/free_page_reporting.rst"]
bad = 0
for doc in docs:
    try:
        docutils.core.publish_doctree(
            doc.read_text(), source_path=str(doc),
            settings_overrides={"halt_level": 2, "report_level": 2})
        print(f"ok {doc.relative_to(top)}")
    except docutils.utils.SystemMessage as e:
        print(f"FAIL {doc.relative_to(top)}: {e}")
        bad += 1
sys.exit(1 if bad else 0)
PY
