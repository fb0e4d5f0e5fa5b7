/** Request and response shapes of the WeCom APIs this plugin calls (field names as WeCom spells them). */

export interface WecomEnvelope {
  errcode: number;
  errmsg: string;
}

export interface TokenResponse extends WecomEnvelope {
  access_token: string;
  expires_in: number;
}

/** 1 active, 2 disabled, 4 not activated, 5 left the company. */
export type WecomMemberStatus = 1 | 2 | 4 | 5;

export interface WecomUser {
  userid: string;
  name: string;
  status: WecomMemberStatus;
  main_department?: number;
  department?: number[];
}

/** department/simplelist: a department the app may see. */
export interface WecomDepartmentRef {
  id: number;
  /** 0 for the root. */
  parentid: number;
  order: number;
}

/** user/list: a department's direct member (self-built apps made after 2022-06-20 get no mobile/email/avatar). */
export interface WecomDepartmentUser {
  userid: string;
  name: string;
  department: number[];
  status: WecomMemberStatus;
  main_department?: number;
  position?: string;
}

export interface ExternalContact {
  external_userid: string;
  name: string;
  /** 1 WeChat user, 2 WeCom user. */
  type: 1 | 2;
  gender?: 0 | 1 | 2;
  unionid?: string;
  avatar?: string;
  corp_name?: string;
}

export interface FollowInfo {
  userid: string;
  remark?: string;
  description?: string;
  /** First-added time, seconds since epoch. */
  createtime: number;
  tag_id?: string[];
  add_way?: number;
  /** The `state` of the contact way the customer came through. */
  state?: string;
  oper_userid?: string;
}

export interface ExternalContactWithFollow {
  external_contact: ExternalContact;
  follow_info: FollowInfo;
}

export interface BatchGetByUserRequest {
  userid_list: string[];
  cursor?: string;
  /** ≤100. */
  limit?: number;
}

export interface BatchGetByUserResponse {
  external_contact_list: ExternalContactWithFollow[];
  next_cursor: string;
}

export interface ContactWayFields {
  style?: number;
  /** ≤30 characters. */
  remark?: string;
  skip_verify?: boolean;
  /** ≤30 characters; returned in the add event and in follow_info. */
  state?: string;
  /** Exactly one when type = 1; ≤100. */
  user?: string[];
  party?: number[];
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  conclusions?: Record<string, unknown>;
}

export interface AddContactWayRequest extends ContactWayFields {
  /** 1 single member, 2 several members. */
  type: 1 | 2;
  /** 1 mini program, 2 QR code. */
  scene: 1 | 2;
  is_temp?: boolean;
  is_exclusive?: boolean;
  mark_source?: boolean;
}

export interface AddContactWayResponse {
  config_id: string;
  /** Only for scene = 2. */
  qr_code?: string;
}

export interface ContactWay extends AddContactWayRequest {
  config_id: string;
  qr_code?: string;
}

export interface UpdateContactWayRequest extends ContactWayFields {
  config_id: string;
}

export interface ListContactWayRequest {
  start_time?: number;
  end_time?: number;
  cursor?: string;
  /** ≤1000. */
  limit?: number;
}

export interface ListContactWayResponse {
  contact_way: { config_id: string }[];
  next_cursor: string;
}

export interface SendWelcomeMsgRequest {
  welcome_code: string;
  /** content ≤4000 bytes. */
  text?: { content: string };
  /** ≤9. */
  attachments?: Record<string, unknown>[];
}

/** transfer_customer (in service) or resigned/transfer_customer (the member left). */
export type TransferKind = 'service' | 'resigned';

export interface TransferCustomerRequest {
  handover_userid: string;
  takeover_userid: string;
  /** ≤100. */
  external_userid: string[];
  /** In service only; ≤200 characters. */
  transfer_success_msg?: string;
}

/** One errcode per customer: 0 accepted, 40128 too often, 40129 in progress, 40099 taker at its limit… */
export interface TransferCustomerResult {
  external_userid: string;
  errcode: number;
}

/** transfer_result: 1 done, 2 waiting, 3 refused, 4 taker at its limit, 5 no record. */
export interface TransferResultItem {
  external_userid: string;
  status: 1 | 2 | 3 | 4 | 5;
  takeover_time?: number;
}

/** get_unassigned_list: a customer of a member who left. */
export interface UnassignedCustomer {
  handover_userid: string;
  external_userid: string;
  dimission_time: number;
}

/** get_user_behavior_data: one day (stat_time, Beijing midnight in seconds). */
export interface UserBehaviorDay {
  stat_time: number;
  new_apply_cnt: number;
  new_contact_cnt: number;
  chat_cnt: number;
  message_cnt: number;
  reply_percentage?: number;
  avg_reply_time?: number;
  negative_feedback_cnt: number;
}

/** Customer acquisition links (获客链接). */
export interface AcquisitionLinkRequest {
  link_name: string;
  range: { user_list?: string[]; department_list?: number[] };
  skip_verify?: boolean;
  priority_option?: { priority_type: 1 | 2; priority_userid_list?: string[] };
  mark_source?: boolean;
}

export interface AcquisitionLink {
  link_id: string;
  link_name: string;
  url: string;
  create_time: number;
}

export interface AcquisitionLinkDetail {
  link: AcquisitionLink & { skip_verify?: boolean };
  range: { user_list: string[]; department_list: number[] };
}

export interface AcquisitionQuota {
  total: number;
  balance: number;
  /** expire_date: epoch seconds. */
  quota_list: { balance: number; expire_date: number }[];
}

export interface AcquisitionStatistic {
  click_link_customer_cnt: number;
  new_customer_cnt: number;
}
