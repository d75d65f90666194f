#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the testbed's dom0 (tools/testbed/run): every selftest.
exec run-selftests
