import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EditorSessionStore } from '@wopi/access-tokens';
import { observeGauge, tenantLabel, WopiMetricName } from '@wopi/telemetry';

/**
 * wopi.editor.sessions.active, read from the session store's index at each metric collection.
 * Deployment-wide: every api process reports the same values (dashboards take max()).
 */
@Injectable()
export class EditorSessionsGauge implements OnApplicationBootstrap, OnApplicationShutdown {
  private stop?: () => void;

  constructor(private readonly sessions: EditorSessionStore) {}

  onApplicationBootstrap(): void {
    this.stop = observeGauge(
      WopiMetricName.EditorSessionsActive,
      { description: 'Editor sessions not yet expired or ended, by tenant and view/edit', unit: '{session}' },
      async () =>
        (await this.sessions.countActive()).map(({ tenantId, access, count }) => ({
          value: count,
          attributes: { 'wopi.tenant': tenantLabel(tenantId), 'wopi.access': access },
        })),
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
