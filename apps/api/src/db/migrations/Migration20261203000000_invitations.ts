import { Migration } from '@mikro-orm/migrations';

/** Invitations: a membership that grants nothing until its user accepts it. Existing ones are accepted. */
export class Migration20261203000000_invitations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "org_members" add column "pending" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "org_members" drop column "pending";`);
  }
}
