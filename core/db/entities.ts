import { BatchSchema } from '../batches/batch.entity.js';
import { BatchChatRefSchema } from '../batches/batch-chat-ref.entity.js';
import { ChatRefSchema } from '../chat/chat-ref.entity.js';
import { DashboardSessionSchema } from '../dashboard/dashboard-session.entity.js';
import { DecisionSchema } from '../deployments/decision.entity.js';
import { DeploymentSchema } from '../deployments/deployment.entity.js';
import { DeploymentEventSchema } from '../deployments/deployment-event.entity.js';
import { OsImageSchema } from '../images/os-image.entity.js';
import { MachineSchema } from '../machines/machine.entity.js';
import { PowerActionSchema } from '../power/power-action.entity.js';
import { PowerRunSchema } from '../power/power-run.entity.js';
import { HardwareProfileSchema } from '../profiles/hardware-profile.entity.js';
import { SettingSchema } from '../settings/setting.entity.js';
import { SystemSchema } from '../systems/system.entity.js';
import { TemplateHeadSchema, TemplateVersionSchema } from '../templates/template.entity.js';

/** Every entity schema; the ORM and migrations are built from this list. */
export const ENTITIES = [
  DeploymentSchema,
  DeploymentEventSchema,
  DecisionSchema,
  OsImageSchema,
  SystemSchema,
  ChatRefSchema,
  SettingSchema,
  MachineSchema,
  PowerRunSchema,
  PowerActionSchema,
  DashboardSessionSchema,
  BatchSchema,
  BatchChatRefSchema,
  TemplateHeadSchema,
  TemplateVersionSchema,
  HardwareProfileSchema,
];
