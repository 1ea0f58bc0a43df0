// Command cbind is biornn's C library: built with
//
//	go build -buildmode=c-shared -o libbiornn.so ./cbind
//
// it exports the functions declared in cbind/include/biornn.h (the stable,
// hand-written header; the libbiornn.h that go build writes beside the
// library is an artefact and not for users). The logic lives in cbind/internal/capi;
// the files here only convert C pointers, lengths and strings.
package main

// main is required by package main and never runs in a c-shared library.
func main() {}
