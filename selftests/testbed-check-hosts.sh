#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs on host-a of a two-host testbed (tools/testbed/run --hosts 2): the
# selftests that need a second host.
exec run-selftests migrate.sh
