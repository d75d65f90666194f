#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a testbed dom0 of its own (tools/testbed/run): lightvm beside
# xenstored and xl. Dom0's store can change hands only at boot, so this
# cannot share a boot with the selftests that run without xenstored.
exec run-selftests xenstored.sh
