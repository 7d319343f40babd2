import createHttpError from 'http-errors';
import { IllegalTransition, StaleVersion, StateMismatch, WritesFenced, WrongRegion } from '../../../shared/app-state/errors';
import { httpHandler } from '../../../shared/http/handler';
import { BodyTooLarge, InvalidInput, UnsupportedMediaType } from '../../../shared/http/input';
import { jsonResponse } from '../../../shared/http/responses';
import { PhotoNotFound as DomainPhotoNotFound } from '../../../shared/photos/errors';
import { logger } from '../../../shared/powertools';
import { httpEvent, lambdaContext } from './http-event';

class PhotoNotFound extends Error {
  override readonly name = 'PhotoNotFound';
}

function throwing(error: unknown) {
  return httpHandler(async () => {
    throw error;
  });
}

const invoke = (handler: ReturnType<typeof httpHandler>, event = httpEvent()) => handler(event, lambdaContext());
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? 'null');

describe('HTTP handler stack', () => {
  let errorLog: jest.SpyInstance;
  beforeEach(() => {
    errorLog = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('passes a handler result through, without CORS headers: the HTTP API answers CORS', async () => {
    // Prepare
    const handler = httpHandler(async () => jsonResponse(200, { hello: 'world' }));

    // Act
    const result = await invoke(handler, httpEvent({ headers: { Origin: 'https://app.example.test' } }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ hello: 'world' });
    expect(result.headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('answers WritesFenced with 503, Retry-After and code WRITES_FENCED', async () => {
    // Act
    const result = await invoke(throwing(new WritesFenced(7)));

    // Assess
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'Retry-After': '7', 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(bodyOf(result)).toEqual({ code: 'WRITES_FENCED', message: expect.stringMatching(/retry/i) });
  });

  it('answers WrongRegion with 409 naming the writable region', async () => {
    // Act
    const result = await invoke(throwing(new WrongRegion('us-west-2', 'us-east-1')));

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toEqual({ code: 'WRONG_REGION', message: expect.any(String), writableRegion: 'us-west-2' });
  });

  it.each([
    ['IllegalTransition', new IllegalTransition('failover', 'active'), 'ILLEGAL_TRANSITION'],
    ['StaleVersion', new StaleVersion(3, 4), 'STALE_VERSION'],
    ['StateMismatch', new StateMismatch('fenced', 'active', 3), 'STATE_MISMATCH'],
  ])('answers %s with 409', async (_name, error, code) => {
    // Act
    const result = await invoke(throwing(error));

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ code, message: error.message });
  });

  it('answers a thrown http-error with its status, code and message as JSON', async () => {
    // Act
    const result = await invoke(throwing(createHttpError(404, 'No such photo', { code: 'PHOTO_NOT_FOUND' })));

    // Assess
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['Content-Type']).toBe('application/json');
    expect(bodyOf(result)).toEqual({ code: 'PHOTO_NOT_FOUND', message: 'No such photo' });
  });

  it('derives a code from the status when an http-error has none', async () => {
    // Act
    const result = await invoke(throwing(createHttpError(403, 'Not yours')));

    // Assess
    expect(bodyOf(result)).toEqual({ code: 'FORBIDDEN', message: 'Not yours' });
  });

  it('answers an unknown error with a generic 500 that carries none of its details, and logs it', async () => {
    // Prepare
    const internal = new Error('ResourceNotFoundException: table switchyard-dev-app-state at 10.0.0.12');

    // Act
    const result = await invoke(throwing(internal));

    // Assess
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(result.body).not.toMatch(/switchyard-dev|10\.0\.0|ResourceNotFound/);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(errorLog).toHaveBeenCalledWith('Request failed', internal);
  });

  it('hides the message of a 5xx http-error that is not exposed', async () => {
    // Act
    const result = await invoke(throwing(createHttpError(502, 'upstream 10.0.0.12 refused')));

    // Assess
    expect(result.statusCode).toBe(502);
    expect(bodyOf(result)).toEqual({ code: 'BAD_GATEWAY', message: 'Bad Gateway' });
  });

  it('maps the domain errors by class, whatever their name', async () => {
    // Act: a class of the same name that is not the domain's PhotoNotFound, then the domain's.
    const lookalike = await invoke(throwing(new PhotoNotFound('photo 123 missing')));
    const domain = await invoke(throwing(new DomainPhotoNotFound()));

    // Assess
    expect(lookalike.statusCode).toBe(500);
    expect(domain.statusCode).toBe(404);
    expect(bodyOf(domain)).toEqual({ code: 'PHOTO_NOT_FOUND', message: 'No such photo' });
  });

  it('answers input errors with their 4xx reasons', async () => {
    // Act
    const invalid = await invoke(throwing(new InvalidInput(['body: not valid JSON'])));
    const wrongType = await invoke(throwing(new UnsupportedMediaType()));
    const tooLarge = await invoke(throwing(new BodyTooLarge()));

    // Assess
    expect([invalid.statusCode, bodyOf(invalid).code]).toEqual([400, 'VALIDATION']);
    expect([wrongType.statusCode, bodyOf(wrongType).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect([tooLarge.statusCode, bodyOf(tooLarge).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
