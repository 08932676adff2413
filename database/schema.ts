import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

// The Daadaar platform's schema: an anonymous-first accountability archive. Anyone may
// contribute without an account, so every contributed row records either the signed-in
// author or the anonymous session that wrote it, and deleting a user never deletes what
// they contributed (foreign keys to users are ON DELETE SET NULL).

export const userRole = pgEnum('user_role', ['user', 'moderator', 'admin']);
export const oauthProvider = pgEnum('oauth_provider', ['google', 'github']);
export const voteType = pgEnum('vote_type', ['upvote', 'downvote']);
export const banTargetType = pgEnum('ban_target_type', ['user', 'session']);
export const banAction = pgEnum('ban_action', ['ban', 'unban']);
export const contentReportReason = pgEnum('content_report_reason', [
  'spam',
  'misinformation',
  'harassment',
  'inappropriate',
  'duplicate',
  'other',
]);
export const contentReportStatus = pgEnum('content_report_status', ['pending', 'reviewing', 'resolved', 'dismissed']);
export const reportableContentType = pgEnum('reportable_content_type', ['report', 'organization', 'individual', 'user', 'media']);
export const mediaType = pgEnum('media_type', ['image', 'video', 'document', 'audio']);

const createdAt = () => timestamp('created_at').defaultNow().notNull();
const updatedAt = () => timestamp('updated_at').defaultNow().notNull();

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    email: varchar('email', { length: 255 }).unique(),
    username: varchar('username', { length: 50 }).unique(),
    displayName: varchar('display_name', { length: 100 }),
    passwordHash: text('password_hash'),
    role: userRole('role').default('user').notNull(),
    oauthProvider: oauthProvider('oauth_provider'),
    oauthId: varchar('oauth_id', { length: 255 }),
    isBanned: boolean('is_banned').default(false).notNull(),
    bannedAt: timestamp('banned_at'),
    banReason: text('ban_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('users_role_idx').on(t.role), index('users_oauth_idx').on(t.oauthProvider, t.oauthId)],
);

export const organizations = pgTable(
  'organizations',
  {
    id: serial('id').primaryKey(),
    // Public, unguessable id used in share links instead of the serial id.
    shareableUuid: uuid('shareable_uuid').defaultRandom().notNull().unique(),
    name: varchar('name', { length: 255 }).notNull(),
    nameEn: varchar('name_en', { length: 255 }),
    description: text('description'),
    descriptionEn: text('description_en'),
    logoUrl: text('logo_url'),
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('organizations_name_idx').on(t.name),
    index('organizations_created_by_idx').on(t.createdByUserId),
    index('organizations_session_idx').on(t.sessionId),
  ],
);

export const organizationHierarchy = pgTable(
  'organization_hierarchy',
  {
    parentId: integer('parent_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    childId: integer('child_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.parentId, t.childId] }), index('organization_hierarchy_child_idx').on(t.childId)],
);

export const roles = pgTable(
  'roles',
  {
    id: serial('id').primaryKey(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Public, unguessable id used in share links instead of the serial id.
    shareableUuid: uuid('shareable_uuid').defaultRandom().notNull().unique(),
    title: varchar('title', { length: 255 }).notNull(),
    titleEn: varchar('title_en', { length: 255 }),
    description: text('description'),
    descriptionEn: text('description_en'),
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('roles_organization_idx').on(t.organizationId),
    index('roles_created_by_idx').on(t.createdByUserId),
    index('roles_session_idx').on(t.sessionId),
  ],
);

export const individuals = pgTable(
  'individuals',
  {
    id: serial('id').primaryKey(),
    // Public, unguessable id used in share links instead of the serial id.
    shareableUuid: uuid('shareable_uuid').defaultRandom().notNull().unique(),
    fullName: varchar('full_name', { length: 255 }).notNull(),
    fullNameEn: varchar('full_name_en', { length: 255 }),
    bio: text('bio'),
    bioEn: text('bio_en'),
    profileImageUrl: text('profile_image_url'),
    dateOfBirth: date('date_of_birth'),
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('individuals_full_name_idx').on(t.fullName),
    index('individuals_created_by_idx').on(t.createdByUserId),
    index('individuals_session_idx').on(t.sessionId),
  ],
);

export const roleOccupancy = pgTable(
  'role_occupancy',
  {
    id: serial('id').primaryKey(),
    individualId: integer('individual_id')
      .notNull()
      .references(() => individuals.id, { onDelete: 'cascade' }),
    roleId: integer('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
    startDate: date('start_date').notNull(),
    endDate: date('end_date'),
    createdByUserId: integer('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('role_occupancy_individual_idx').on(t.individualId),
    index('role_occupancy_role_idx').on(t.roleId),
    index('role_occupancy_session_idx').on(t.sessionId),
  ],
);

export const reports = pgTable(
  'reports',
  {
    id: serial('id').primaryKey(),
    // Public, unguessable id used in share links instead of the serial id.
    shareableUuid: uuid('shareable_uuid').defaultRandom().notNull().unique(),
    title: varchar('title', { length: 500 }).notNull(),
    titleEn: varchar('title_en', { length: 500 }),
    content: text('content').notNull(),
    contentEn: text('content_en'),
    incidentDate: timestamp('incident_date'),
    incidentLocation: varchar('incident_location', { length: 255 }),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    upvoteCount: integer('upvote_count').default(0).notNull(),
    downvoteCount: integer('downvote_count').default(0).notNull(),
    isPublished: boolean('is_published').default(true).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('reports_user_idx').on(t.userId),
    index('reports_session_idx').on(t.sessionId),
    index('reports_created_at_idx').on(t.createdAt),
    check('reports_author_check', sql`${t.userId} IS NOT NULL OR ${t.sessionId} IS NOT NULL`),
  ],
);

export const reportLinks = pgTable(
  'report_links',
  {
    id: serial('id').primaryKey(),
    reportId: integer('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    individualId: integer('individual_id').references(() => individuals.id, { onDelete: 'cascade' }),
    roleId: integer('role_id').references(() => roles.id, { onDelete: 'cascade' }),
    organizationId: integer('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('report_links_report_idx').on(t.reportId),
    index('report_links_individual_idx').on(t.individualId),
    index('report_links_organization_idx').on(t.organizationId),
  ],
);

export const votes = pgTable(
  'votes',
  {
    id: serial('id').primaryKey(),
    reportId: integer('report_id')
      .notNull()
      .references(() => reports.id, { onDelete: 'cascade' }),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    sessionId: uuid('session_id'),
    voteType: voteType('vote_type').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('votes_report_user_idx').on(t.reportId, t.userId),
    uniqueIndex('votes_report_session_idx').on(t.reportId, t.sessionId),
    check('votes_voter_check', sql`${t.userId} IS NOT NULL OR ${t.sessionId} IS NOT NULL`),
  ],
);

export const media = pgTable(
  'media',
  {
    id: serial('id').primaryKey(),
    reportId: integer('report_id').references(() => reports.id, { onDelete: 'cascade' }),
    mediaType: mediaType('media_type').notNull(),
    s3Key: text('s3_key').notNull(),
    s3Bucket: varchar('s3_bucket', { length: 255 }).notNull(),
    originalFilename: varchar('original_filename', { length: 255 }),
    mimeType: varchar('mime_type', { length: 100 }),
    // Videos passed 2 GiB, past integer's range.
    fileSize: bigint('file_size', { mode: 'number' }),
    uploadedByUserId: integer('uploaded_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    uploadedBySessionId: uuid('uploaded_by_session_id'),
    isDeleted: boolean('is_deleted').default(false).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('media_report_idx').on(t.reportId),
    index('media_uploader_session_idx').on(t.uploadedBySessionId),
    check('media_uploader_check', sql`${t.uploadedByUserId} IS NOT NULL OR ${t.uploadedBySessionId} IS NOT NULL`),
  ],
);

export const contentReports = pgTable(
  'content_reports',
  {
    id: serial('id').primaryKey(),
    contentType: reportableContentType('content_type').notNull(),
    contentId: integer('content_id').notNull(),
    reason: contentReportReason('reason').notNull(),
    description: text('description'),
    reporterUserId: integer('reporter_user_id').references(() => users.id, { onDelete: 'set null' }),
    reporterSessionId: uuid('reporter_session_id'),
    status: contentReportStatus('status').default('pending').notNull(),
    reviewedByUserId: integer('reviewed_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: timestamp('reviewed_at'),
    adminNotes: text('admin_notes'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('content_reports_content_idx').on(t.contentType, t.contentId),
    index('content_reports_status_idx').on(t.status),
    index('content_reports_reporter_session_idx').on(t.reporterSessionId),
  ],
);

export const banHistory = pgTable(
  'ban_history',
  {
    id: serial('id').primaryKey(),
    targetType: banTargetType('target_type').notNull(),
    targetUserId: integer('target_user_id').references(() => users.id, { onDelete: 'set null' }),
    targetSessionId: uuid('target_session_id'),
    action: banAction('action').notNull(),
    reason: text('reason'),
    performedByUserId: integer('performed_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at'),
    createdAt: createdAt(),
  },
  (t) => [index('ban_history_target_user_idx').on(t.targetUserId), index('ban_history_target_session_idx').on(t.targetSessionId)],
);

export const userTrustScores = pgTable(
  'user_trust_scores',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .unique()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: uuid('session_id').unique(),
    score: integer('score').default(50).notNull(),
    totalReports: integer('total_reports').default(0).notNull(),
    totalVotes: integer('total_votes').default(0).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index('user_trust_scores_score_idx').on(t.score)],
);

export const aiVerification = pgTable(
  'ai_verification',
  {
    id: serial('id').primaryKey(),
    reportId: integer('report_id')
      .notNull()
      .unique()
      .references(() => reports.id, { onDelete: 'cascade' }),
    confidenceScore: numeric('confidence_score', { precision: 5, scale: 4 }),
    verificationStatus: varchar('verification_status', { length: 50 }).default('pending').notNull(),
    analysis: jsonb('analysis'),
    modelUsed: varchar('model_used', { length: 100 }),
    processedAt: timestamp('processed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('ai_verification_status_idx').on(t.verificationStatus)],
);

export const powChallenges = pgTable(
  'pow_challenges',
  {
    id: uuid('id').defaultRandom().primaryKey(),
    challenge: text('challenge').notNull(),
    difficulty: integer('difficulty').notNull(),
    resource: varchar('resource', { length: 100 }).notNull(),
    sessionId: uuid('session_id'),
    expiresAt: timestamp('expires_at').notNull(),
    solvedAt: timestamp('solved_at'),
    createdAt: createdAt(),
  },
  (t) => [index('pow_challenges_session_idx').on(t.sessionId), index('pow_challenges_expires_idx').on(t.expiresAt)],
);
