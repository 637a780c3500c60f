#!/usr/bin/env python3
"""Counts test results across meson build directories and prints 'N passed, N failed'.

A gtest binary counts its individual test cases (from its JUnit XML in <build>/test-results);
any other meson test counts as one. A binary that crashed after writing no XML counts as one failure.
Exit status: 0 when nothing failed, 1 otherwise.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def gtest_counts(xml_path):
    root = ET.parse(xml_path).getroot()
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(build_dirs):
    passed = failed = skipped = 0
    failures = []
    for build in build_dirs:
        log = os.path.join(build, "meson-logs", "testlog.json")
        if not os.path.exists(log):
            continue
        with open(log) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                entry = json.loads(line)
                name = entry["name"]
                result = entry["result"]
                xml_name = entry.get("env", {}).get("GTEST_OUTPUT", "")
                xml_path = xml_name[4:] if xml_name.startswith("xml:") else ""
                if xml_path and os.path.exists(xml_path):
                    p, fl, s = gtest_counts(xml_path)
                    passed, skipped = passed + p, skipped + s
                    failed += fl
                    if fl:
                        failures.append(f"{name}: {fl} case(s) failed")
                    if result not in ("OK", "EXPECTEDFAIL", "SKIP") and not fl:
                        failed += 1
                        failures.append(f"{name}: {result} (process)")
                elif result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    failures.append(f"{name}: {result}")
    for f in failures:
        print(f"FAILED {f}")
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["build"]))
