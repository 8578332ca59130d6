import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Responder } from '../common/responder';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly respond: Responder,
  ) {}

  /** Liveness: the process answers; no dependency is checked. */
  @Get('healthz')
  @ApiOperation({ summary: 'Liveness probe' })
  live() {
    return this.respond.ok(true);
  }

  /** Readiness: the database answers a ping (503 with details otherwise). */
  @Get('readyz')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness probe (database reachable)' })
  ready() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }
}
