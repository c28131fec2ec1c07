package emulator

// Calls is the number of requests that reached api, accepted or rejected.
func (s *Server) Calls(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

// Answered is the number of answers from api with error code code; "" counts
// successes. Faults count under their code, CodeMalformed or CodeDropped.
func (s *Server) Answered(api, code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[answerKey{api, code}]
}

// TotalCalls is the number of requests received, routed or not.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounters zeroes Calls, Answered, Slow and TotalCalls and forgets the
// recorded Requests.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.answered = map[answerKey]int{}
	s.slow = map[string]SlowAnswers{}
	s.injected = map[answerKey]int{}
	s.total = 0
	s.tencentPassed, s.tencentRejected = 0, 0
	s.requests = map[string][]Request{}
}

// unknownIDEmpty reports whether the scenario answers unknown ids with HTTP
// 200 and no task instead of an error code.
func (s *Server) unknownIDEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sc.UnknownIDAnswer == UnknownIDEmpty
}

// LastTencentRegion is the X-TC-Region of the last Tencent request whose
// signature verified; empty before one.
func (s *Server) LastTencentRegion() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastRegion
}
