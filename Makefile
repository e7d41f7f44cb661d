# The two entry points of the README: `make run` and `make test`.
SWIFT ?= swift

.PHONY: run test setup build fuzz bench bench-calls bench-media bench-rest bench-load bench-soak bench-amd bench-fax

setup:
	@scripts/setup.sh

## Run the dialer with its embedded defaults.
run: setup
	$(SWIFT) build -c release --product sipdial
	.build/release/sipdial serve

## The dialer's end-to-end suites and the load tests place hundreds of calls; they run after the
## others, so their load never starves the audio-quality and timing checks of the media and
## transport tests.
DIALER_E2E = IntegrationTests\.(Serve(Campaign|Call|Webhook|ClickToCall|Callback|CPaaS|SIPp|RegisteredTrunk|Scanner|Events)|LoadTestCommand)Tests

## The checks of what a caller hears against what was played (normalized correlation of
## recordings through SIPp, baresip, the simulator and the bridge) run on their own, one test
## at a time: with the whole suite on two cores the media clocks fall behind and a
## correlation dips (0.92 against 0.95 once in CI). The answering-machine tests run there
## too (GreetingsTests renders 60 greetings with espeak-ng, about 12 s of CPU; the detector's
## and `sipdial amd`/`call --amd` tests render speech as well), so the first phase's SIPp and
## simulator processes are not starved while they start (SIPp once did not bind in 3 × 5 s).
## The end-to-end AMD suites (serve and loadtest against the simulator's rendered greetings,
## baresip as a person and a machine) run here too: their voicemail timing is checked to
## 400 ms, and their espeak-ng rendering once starved an attended transfer's audio check in
## the parallel phase (0.63 correlation). So does the fax over a call's G.711 audio (V.17 in
## real time, 40 s). About 340 s.
AUDIO_QUALITY = IntegrationTests\.(CallMedia|BridgeCommand|BaresipOpus|BaresipAMD|BaresipSRTP|ServeSRTP|ServeAMD|LoadTestAMD|FaxCommand|SimulatorScript|AMDCommand|CallAMD)Tests|GreetingsTests|MediaTests\.AnsweringMachineDetectorTests

## The fax campaigns and inbound T.38 receptions through `serve` run last, on their own: two
## T.30 sessions of 40 s each beside the dialer's suites starved the attended transfer's audio
## check once in CI (0.64 correlation).
FAX_E2E = IntegrationTests\.ServeFaxTests

## Build and run every test (unit, torture, EmbeddedChannel and interop against SIPp), then
## each libFuzzer harness for FUZZ_SMOKE_SECONDS on its seeds, so the harnesses keep building
## as the code they exercise changes (a crash found there fails the run).
FUZZ_SMOKE_SECONDS ?= 10
test: setup
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/test-phase.sh 1200 --skip '$(DIALER_E2E)|$(AUDIO_QUALITY)|$(FAX_E2E)'
	SWIFT=$(SWIFT) scripts/test-phase.sh 600 --no-parallel --filter '$(AUDIO_QUALITY)'
	SWIFT=$(SWIFT) scripts/test-phase.sh 900 --filter '$(DIALER_E2E)'
	SWIFT=$(SWIFT) scripts/test-phase.sh 300 --filter '$(FAX_E2E)'
	scripts/fuzz-smoke.sh $(FUZZ_SMOKE_SECONDS)

## Build and run the libFuzzer target for the parser and framer (FUZZ_SECONDS, default 60).
fuzz:
	Fuzz/run.sh $(FUZZ_SECONDS)

## Build and run the benchmarks (not part of `make test`).
bench:
	cd Benchmarks && $(SWIFT) run -c release SIPBenchmarks

## Signaling-only call rate, sipdial loadtest and SIPp's UAC side by side against SIPp UAS.
bench-calls: setup
	STEPS=1 Benchmarks/LoadTest/run.sh

## Concurrent G.711 streams with media, sipdial's engine and SIPp's pcap play side by side.
bench-media: setup
	cd Benchmarks && $(SWIFT) run -c release MediaBenchmark $(BENCH_ARGS)

## REST latency (originate, CDR queries) and a 100,000-contact CSV import, with wrk.
bench-rest: setup
	Benchmarks/REST/run.sh

## sipdial loadtest side by side with SIPp's UAC: signaling CPS, calls with media, campaign mode.
bench-load: setup
	Benchmarks/LoadTest/run.sh

## Answering-machine detection on its corpus's test part: accuracy, timing, beeps, analyses per core.
bench-amd: setup
	cd Benchmarks && $(SWIFT) run -c release AMDBenchmark test 400

## The fax engine back to back, over G.711 and T.38: fax time a page, CPU per terminal.
bench-fax: setup
	cd Benchmarks && $(SWIFT) run -c release FaxBenchmark 20
	cd Benchmarks && $(SWIFT) run -c release FaxLiveBenchmark t38 500
	cd Benchmarks && $(SWIFT) run -c release FaxLiveBenchmark audio 100
	cd Benchmarks && $(SWIFT) run -c release FaxLiveBenchmark t38 100 0.01
	# 5 % loss is reported, not required.
	-cd Benchmarks && $(SWIFT) run -c release FaxLiveBenchmark t38 100 0.05

## A campaign with media for DURATION s (default one hour) at CPS calls/s (200): memory and
## file descriptors flat after warm-up, one CDR per call.
bench-soak: setup
	Benchmarks/Soak/run.sh
