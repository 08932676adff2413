import type postgres from 'postgres';

// The organizations seed. Rows carry fixed shareable uuids, so a second run inserts nothing:
// the seed is idempotent. With `clean`, every organization is deleted first, and the foreign
// keys cascade to organization_hierarchy, roles, role_occupancy and report_links: on a live
// database that is data loss, which is why the bot treats CLEAN=true as destructive.

interface SeedOrganization {
  uuid: string;
  name: string;
  nameEn: string;
  parent?: string;
  roles: { uuid: string; title: string; titleEn: string }[];
}

const IRGC = '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5e01';

export const SEED_ORGANIZATIONS: readonly SeedOrganization[] = [
  {
    uuid: IRGC,
    name: 'سپاه پاسداران انقلاب اسلامی',
    nameEn: 'Islamic Revolutionary Guard Corps',
    roles: [{ uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5f01', title: 'فرمانده کل', titleEn: 'Commander-in-Chief' }],
  },
  {
    uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5e02',
    name: 'سازمان بسیج مستضعفین',
    nameEn: 'Basij Organization',
    parent: IRGC,
    roles: [{ uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5f02', title: 'رئیس سازمان', titleEn: 'Head of the Organization' }],
  },
  {
    uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5e03',
    name: 'قوه قضاییه',
    nameEn: 'Judiciary',
    roles: [{ uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5f03', title: 'رئیس قوه قضاییه', titleEn: 'Head of the Judiciary' }],
  },
  {
    uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5e04',
    name: 'وزارت اطلاعات',
    nameEn: 'Ministry of Intelligence',
    roles: [{ uuid: '6f1c2a0e-4d3b-4c55-9a0e-1a2b3c4d5f04', title: 'وزیر اطلاعات', titleEn: 'Minister of Intelligence' }],
  },
];

export interface SeedResult {
  deletedOrganizations: number;
  insertedOrganizations: number;
  insertedRoles: number;
  insertedLinks: number;
}

export async function seedOrganizations(sql: postgres.Sql, options: { clean: boolean }): Promise<SeedResult> {
  return sql.begin(async (tx) => {
    const deleted = options.clean ? await tx`delete from organizations` : { count: 0 };
    let insertedOrganizations = 0;
    let insertedRoles = 0;
    let insertedLinks = 0;
    for (const org of SEED_ORGANIZATIONS) {
      const inserted = await tx`
        insert into organizations (shareable_uuid, name, name_en)
        values (${org.uuid}, ${org.name}, ${org.nameEn})
        on conflict (shareable_uuid) do nothing`;
      insertedOrganizations += inserted.count;
      for (const role of org.roles) {
        const r = await tx`
          insert into roles (shareable_uuid, organization_id, title, title_en)
          select ${role.uuid}, id, ${role.title}, ${role.titleEn} from organizations where shareable_uuid = ${org.uuid}
          on conflict (shareable_uuid) do nothing`;
        insertedRoles += r.count;
      }
    }
    for (const org of SEED_ORGANIZATIONS.filter((o) => o.parent)) {
      const link = await tx`
        insert into organization_hierarchy (parent_id, child_id)
        select p.id, c.id from organizations p, organizations c
        where p.shareable_uuid = ${org.parent ?? ''} and c.shareable_uuid = ${org.uuid}
        on conflict do nothing`;
      insertedLinks += link.count;
    }
    return { deletedOrganizations: deleted.count, insertedOrganizations, insertedRoles, insertedLinks };
  });
}
