#!/usr/bin/env bash
# Refits the answer rankers committed in briefings/answer/: ranker.json (built-in
# analysis) and, with --frog, ranker-frog.json (sentences analysed by Frog).
# It prints the cross-validated figures (5 folds by article, and dev2's a*
# and b* halves and our qa4 to qa7 sets each held out) that the closing notes
# report. dev2 is read from ../shared, never copied here. qa19 to qa27 are
# left out on purpose: they are never fitted on, and, but for qa23, never
# read (see docs/answering.md).
# qa8, qa9, qa12 and qa15 to qa18 were that until 2026-12-03 (evening), when
# their misses were read to find what to change; they are left out still,
# never fitted on, and no longer count as unseen. qa10,
# qa11, qa13 and qa14 are left out too: their misses were read to decide what to change,
# and fitted on they lowered dev2's held-out accuracy (0.45 -> 0.41) while
# the unfitted sets stayed where they were (33 of 150 right either way). qa6 and qa7
# were that until their misses were read to find what to change; now they
# are training data like the rest.
#
#   scripts/train-ranker.sh          # ranker.json
#   scripts/train-ranker.sh --frog   # ranker-frog.json (needs frog + frogdata)
#   scripts/train-ranker.sh --frog --data DIR   # reuse DIR's cached annotations
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/eval/dev2
[ -f "$shared/questions.yaml" ] || { echo "train-ranker.sh: $shared is missing" >&2; exit 1; }
out=briefings/answer/ranker.json
extra=()
if [ "${1:-}" = "--frog" ]; then
	out=briefings/answer/ranker-frog.json
	# Frog's own per-candidate features (entity classes, chunks, dependency
	# relations) are computed and shown by --explain, but the ranker leaves
	# them out: with them, 5 folds gave accuracy 0.50 / answered-precision
	# 0.89 and every held-out set did worse than without them (0.54 / 0.90).
	# Frog still adds its entities' candidates and kinds.
	extra=(--frog --exclude-features analyzed,ner_per,ner_org,ner_loc,ner_misc,ner_fit,has_noun,has_verb,chunk,dep_arg,dep_subj)
	shift
fi
# Weight decay 0.05: with the --calibrate sets, 5 folds gave 0.49 at 0.92
# (0.1: 0.48 at 0.93; 0.2: 0.49 at 0.92) and dev2's halves 63 of 138 (0.1:
# 61; 0.2: 60).
extra+=(--l2 0.05)
extra+=("$@") # more train flags, e.g. --data DIR to keep Frog's annotations
t=briefings/testdata
go run ./cmd/briefbot train --out "$out" "${extra[@]}" \
	--set seed=$t/eval/seed-dev.yaml --set extra=$t/eval/sample-extra.yaml \
	--set qa=$t/qa/questions.yaml:$t/qa/articles --set qa2=$t/qa2/questions.yaml:$t/qa2/articles \
	--set qa3=$t/qa3/questions.yaml:$t/qa3/articles --set qa4=$t/qa4/questions.yaml:$t/qa4/articles \
	--set qa5=$t/qa5/questions.yaml:$t/qa5/articles \
	--set qa6=$t/qa6/questions.yaml:$t/qa6/articles --set qa7=$t/qa7/questions.yaml:$t/qa7/articles \
	--set dev2=$shared/questions.yaml:$shared/articles \
	--calibrate qa10=$t/qa10/questions.yaml:$t/qa10/articles --calibrate qa11=$t/qa11/questions.yaml:$t/qa11/articles \
	--calibrate qa13=$t/qa13/questions.yaml:$t/qa13/articles --calibrate qa14=$t/qa14/questions.yaml:$t/qa14/articles \
	--holdout dev2:a --holdout dev2:b --holdout qa4 --holdout qa5 --holdout qa6 --holdout qa7
