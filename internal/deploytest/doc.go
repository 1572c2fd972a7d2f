// Package deploytest holds the tests that keep the deployment artifacts
// (deploy/kubernetes, manifests, deploy/tekton, deploy/ansible) true to the
// code: every Kubernetes object decodes strictly into k8s.io/api types and
// meets the security invariants, every trustee/guest/cocofy flag the
// artifacts use exists in the binaries, Tekton and Argo CD references
// resolve, and the CVM units order the guest and Gate 1 before the workload.
// No cluster and no network are needed. See docs/deploy.md.
package deploytest
