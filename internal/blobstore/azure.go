package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

// Azure is a Store in one Azure Blob Storage container.
type Azure struct {
	client    *azblob.Client
	container string
	account   string
}

// NewAzure connects with a storage connection string (from the guest's local
// API once attestation released it) and creates the container if needed.
// Errors never repeat the connection string: it carries the account key.
func NewAzure(ctx context.Context, connectionString, container string) (*Azure, error) {
	client, err := azblob.NewClientFromConnectionString(connectionString, nil)
	if err != nil {
		return nil, errors.New("blobstore: the Azure connection string is malformed")
	}
	a := &Azure{client: client, container: container, account: client.URL()}
	_, err = client.CreateContainer(ctx, container, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return nil, fmt.Errorf("blobstore: create container %s at %s: %w", container, a.account, describe(err))
	}
	return a, nil
}

// describe shortens an SDK error to its status and code; the SDK's full text
// includes request headers, which is more than a log needs.
func describe(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return fmt.Errorf("HTTP %d %s", re.StatusCode, re.ErrorCode)
	}
	return err
}

// Describe implements Store.
func (a *Azure) Describe() string { return "azure:" + a.account + a.container }

// Put implements Store.
func (a *Azure) Put(ctx context.Context, name string, data []byte, contentType string) error {
	if err := ValidName(name); err != nil {
		return err
	}
	_, err := a.client.UploadBuffer(ctx, a.container, name, data, &blockblob.UploadBufferOptions{
		HTTPHeaders: &blob.HTTPHeaders{BlobContentType: &contentType},
	})
	if err != nil {
		return fmt.Errorf("blobstore: put %s: %w", name, describe(err))
	}
	return nil
}

// Get implements Store.
func (a *Azure) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	resp, err := a.client.DownloadStream(ctx, a.container, name, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("blobstore: get %s: %w", name, describe(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("blobstore: get %s: %w", name, err)
	}
	return b, nil
}

// ContentType returns the content type stored with a blob.
func (a *Azure) ContentType(ctx context.Context, name string) (string, error) {
	props, err := a.client.ServiceClient().NewContainerClient(a.container).NewBlobClient(name).GetProperties(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("blobstore: properties of %s: %w", name, describe(err))
	}
	if props.ContentType == nil {
		return "", nil
	}
	return *props.ContentType, nil
}

// List implements Store.
func (a *Azure) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	pager := a.client.NewListBlobsFlatPager(a.container, &azblob.ListBlobsFlatOptions{Prefix: &prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("blobstore: list: %w", describe(err))
		}
		for _, item := range page.Segment.BlobItems {
			if item.Name != nil {
				out = append(out, *item.Name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
