package imagesig

import "io"

// GuestImageMain runs "guest image verify|pull" (args after "image") with
// fetch resolving kbs:/// key paths and --policy-uri (nil: fail closed).
func GuestImageMain(args []string, stdout, stderr io.Writer, fetch ResourceFetcher) int {
	return GuestImage{Fetcher: func() ResourceFetcher { return fetch }}.Main(args, stdout, stderr)
}
