import { parseTarget, type RequestTarget } from '../../../local/http-guard';
import { removedKeys } from '../../../local/s3-server';

// Parsed as the access layer parses every request it serves.
const target = (url: string): RequestTarget => parseTarget(url) as RequestTarget;
const none = Buffer.alloc(0);

describe('removedKeys: the objects a request deletes, as S3 counts them', () => {
  it('a simple DELETE removes its key, also one with slashes and escapes', () => {
    expect(removedKeys('DELETE', target('/b/photos/a%20b.jpg?x-id=DeleteObject'), none)).toEqual({ bucket: 'b', keys: ['photos/a b.jpg'] });
  });

  it('a DELETE of a version, of tags, of a multipart upload or of the bucket removes no object', () => {
    for (const url of ['/b/k?versionId=3', '/b/k?tagging', '/b/k?uploadId=u1', '/b', '/b/']) {
      expect(removedKeys('DELETE', target(url), none)).toBeUndefined();
    }
  });

  it('a multi-object delete removes each key it names, XML entities decoded', () => {
    const body = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Object><Key>uploads/1</Key></Object><Object><Key>a &amp; b &lt;c&gt; &#233;&#x263A;</Key><VersionId>v</VersionId></Object>' +
        '<Quiet>true</Quiet></Delete>',
    );
    expect(removedKeys('POST', target('/b/?delete'), body)).toEqual(removedKeys('POST', target('/b?delete'), body));
    expect(removedKeys('POST', target('/b?delete'), body)).toEqual({ bucket: 'b', keys: ['uploads/1', 'a & b <c> é☺'] });
  });

  it('other requests remove nothing', () => {
    expect(removedKeys('POST', target('/b/k?uploads'), none)).toBeUndefined();
    expect(removedKeys('PUT', target('/b/k'), Buffer.from('<Key>k</Key>'))).toBeUndefined();
    expect(removedKeys('GET', target('/b/k'), none)).toBeUndefined();
    expect(removedKeys('POST', target('/b?delete'), Buffer.from('<Delete></Delete>'))).toBeUndefined();
  });
});
