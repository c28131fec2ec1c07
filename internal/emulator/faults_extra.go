package emulator

import (
	"net/http"
	"strconv"
)

// notFoundError is what api answers for an id it does not know (the default
// UnknownIDError answer), which a vanish fault sends for a known one.
func notFoundError(api string) *apiError {
	switch api {
	case APIPolarDBBatchTask:
		return &apiError{http.StatusNotFound, "InvalidBatchId.NotFound", "The specified batch task does not exist."}
	case APIPolarDBTasks:
		return &apiError{http.StatusNotFound, "InvalidDBClusterId.NotFound", "The specified cluster does not exist."}
	case APIBDRCTask:
		return &apiError{http.StatusNotFound, "NotFound.Task", "The specified task does not exist."}
	case APIAlidnsBatchResult:
		return &apiError{http.StatusNotFound, "TaskNotExist", "The specified task does not exist."}
	default:
		return tencentParamError("ResourceNotFound.Task", "The specified job task does not exist.")
	}
}

// writeTruncated sends the first half of the body under a Content-Length for
// all of it, then aborts the handler so the server closes the connection: the
// client reads an unexpected end of the body.
func writeTruncated(w http.ResponseWriter, ans answer) {
	w.Header().Set("Content-Length", strconv.Itoa(len(ans.body)))
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body[:len(ans.body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

// Injected is the number of requests to api that a fault of kind fired on
// (a slow fault included, which then answers normally).
func (s *Server) Injected(api, kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected[answerKey{api, kind}]
}
