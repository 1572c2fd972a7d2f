package guest

import (
	"io"
	"os"

	"github.com/trustgate/trustgate/internal/imagesig"
)

func init() {
	ImageMain = func(args []string, stdout, stderr io.Writer) int {
		api := os.Getenv("TRUSTGATE_GUEST_API")
		if api == "" {
			api = "http://" + DefaultListen
		}
		return imagesig.GuestImageMain(args, stdout, stderr, imagesig.NewAPIServerFetcher(api, nil))
	}
}
