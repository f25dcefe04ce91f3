/**
 * Validation of /index and /query bodies: the whole request is checked before anything is
 * embedded or stored, and every error names the field. Types are never coerced ("5" is not 5).
 */
import { HttpError } from '../kit/index.js';
import type { RagConfig } from './config.js';

/** Collection names: stored as a value, never interpolated; this keeps them URL- and log-safe too. */
export const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MAX_DOC_ID = 512;

export interface IndexRequest {
  collection: string;
  documents: Array<{ id: string; text: string; metadata: Record<string, unknown> }>;
}

export interface QueryRequest {
  collection: string;
  query: string;
  top_k: number;
  answer: boolean;
}

const bad = (param: string, message: string, code = 'invalid_request'): HttpError =>
  new HttpError(400, message, { code, param });

function object(raw: unknown, param: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw bad(
      param,
      param === 'body' ? 'the request body must be a JSON object' : `'${param}' must be an object`,
    );
  }
  return raw as Record<string, unknown>;
}

export function collectionName(raw: unknown, param = 'collection'): string {
  if (typeof raw !== 'string') throw bad(param, `'${param}' must be a string`, 'invalid_type');
  if (!COLLECTION_NAME.test(raw)) {
    throw bad(
      param,
      `'${param}' must be 1-63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit`,
      'invalid_collection_name',
    );
  }
  return raw;
}

export function parseIndexRequest(raw: unknown, cfg: RagConfig): IndexRequest {
  const b = object(raw, 'body');
  const collection = collectionName(b.collection);
  if (!Array.isArray(b.documents)) throw bad('documents', "'documents' must be an array", 'invalid_type');
  if (b.documents.length === 0) throw bad('documents', "'documents' must not be empty");
  if (b.documents.length > cfg.MAX_DOCUMENTS) {
    throw bad(
      'documents',
      `at most ${cfg.MAX_DOCUMENTS} documents per request (got ${b.documents.length})`,
      'too_many_documents',
    );
  }
  const seen = new Set<string>();
  const documents = b.documents.map((d, i) => {
    const p = `documents[${i}]`;
    const o = object(d, p);
    if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > MAX_DOC_ID) {
      throw bad(
        `${p}.id`,
        `'${p}.id' must be a non-empty string of at most ${MAX_DOC_ID} characters`,
        'invalid_type',
      );
    }
    if (seen.has(o.id)) throw bad(`${p}.id`, `'${p}.id' repeats the id "${o.id}"`, 'duplicate_document_id');
    seen.add(o.id);
    if (typeof o.text !== 'string') throw bad(`${p}.text`, `'${p}.text' must be a string`, 'invalid_type');
    if (o.text.trim().length === 0) throw bad(`${p}.text`, `'${p}.text' must not be empty`);
    if (o.text.length > cfg.MAX_DOCUMENT_CHARS) {
      throw bad(
        `${p}.text`,
        `'${p}.text' is longer than ${cfg.MAX_DOCUMENT_CHARS} characters`,
        'document_too_large',
      );
    }
    const metadata = o.metadata === undefined ? {} : object(o.metadata, `${p}.metadata`);
    return { id: o.id, text: o.text, metadata };
  });
  return { collection, documents };
}

export function parseQueryRequest(raw: unknown, cfg: RagConfig): QueryRequest {
  const b = object(raw, 'body');
  const collection = collectionName(b.collection);
  if (typeof b.query !== 'string') throw bad('query', "'query' must be a string", 'invalid_type');
  if (b.query.trim().length === 0) throw bad('query', "'query' must not be empty");
  if (b.query.length > cfg.MAX_QUERY_CHARS) {
    throw bad('query', `'query' is longer than ${cfg.MAX_QUERY_CHARS} characters`, 'query_too_long');
  }
  const topK = b.top_k ?? 5;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > cfg.MAX_TOP_K) {
    throw bad('top_k', `'top_k' must be an integer between 1 and ${cfg.MAX_TOP_K}`, 'invalid_top_k');
  }
  const answer = b.answer ?? true;
  if (typeof answer !== 'boolean') throw bad('answer', "'answer' must be a boolean", 'invalid_type');
  return { collection, query: b.query, top_k: topK, answer };
}
