import { randomUUID } from 'node:crypto';
import { AwsServiceError } from './errors';
import type { ServiceApi } from './http-server';
import { requiredString } from './request-fields';

export interface SnsMessage {
  region: string;
  topicArn: string;
  subject?: string;
  message: string;
  at: string;
}

const invalid = (message: string) => new AwsServiceError('InvalidParameter', message);

/** SNS Publish, recorded instead of delivered: drills and tests read what was sent. */
export function createTopics() {
  const messages: SnsMessage[] = [];
  const publish = (region: string, topicArn: string, message: string, subject?: string): string => {
    const topicRegion = /^arn:aws[a-z-]*:sns:([^:]+):[^:]+:[^:]+$/.exec(topicArn)?.[1];
    if (!topicRegion) throw invalid(`TopicArn ${topicArn} is not an SNS topic ARN`);
    if (topicRegion !== region) throw invalid(`TopicArn ${topicArn} is in ${topicRegion}, not ${region}`);
    messages.push({ region, topicArn, ...(subject === undefined ? {} : { subject }), message, at: new Date().toISOString() });
    return randomUUID();
  };
  const api: ServiceApi = {
    address: 'sns',
    protocol: 'query',
    xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
    operations: {
      Publish(region, input) {
        const topicArn = requiredString(input, 'TopicArn', invalid);
        const message = requiredString(input, 'Message', invalid);
        const subject = typeof input.Subject === 'string' ? input.Subject : undefined;
        return { MessageId: publish(region, topicArn, message, subject) };
      },
    },
  };
  return {
    api,
    publish,
    messages(region?: string): SnsMessage[] {
      return messages.filter((m) => !region || m.region === region);
    },
  };
}
