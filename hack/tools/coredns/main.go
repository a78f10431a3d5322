// CoreDNS for the local cluster's real node, with only the plugins hack/coredns.sh's Corefile
// uses. Upstream's main (github.com/coredns/coredns/coredns.go) imports every plugin, among
// them forward, grpc and the cloud DNS backends; leaving them out keeps the build short and
// makes "no DNS query leaves the machine" a property of the binary, not only of its config.
// The directive order (what runs before what) stays upstream's: core/dnsserver/zdirectives.go.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	coremain.Run()
}
