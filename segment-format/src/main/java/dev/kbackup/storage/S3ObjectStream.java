package dev.kbackup.storage;

import java.io.FilterInputStream;
import java.io.IOException;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** An object's bytes; closing it early aborts the connection instead of draining the rest of the object. */
final class S3ObjectStream extends FilterInputStream {

    private final ResponseInputStream<GetObjectResponse> response;
    private boolean atEnd;

    S3ObjectStream(ResponseInputStream<GetObjectResponse> response) {
        super(response);
        this.response = response;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        atEnd |= b < 0;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        atEnd |= n < 0;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (!atEnd) {
            response.abort();
        }
        super.close();
    }
}
