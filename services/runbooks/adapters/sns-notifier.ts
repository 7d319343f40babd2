// Notifications of state transitions. Best effort by design: the transition and its audit
// record are already written when this runs, and a failed publish must not fail the runbook
// (the report records it as "notification not sent").
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../steps/ports';

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string | null,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async publish(subject: string, message: Record<string, unknown>): Promise<boolean> {
    if (!this.topicArn) return false;
    try {
      await this.client.send(
        new PublishCommand({ TopicArn: this.topicArn, Subject: subject.slice(0, 99), Message: JSON.stringify(message, null, 2) }),
      );
      return true;
    } catch (error) {
      this.onError(error);
      return false;
    }
  }
}
