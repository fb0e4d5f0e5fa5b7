/** What `<wss-store-entry>` gets for one store (GET /public/entry/:storeId). */
export interface EntryPayload {
  storeId: string;
  visible: boolean;
  /** Entry text (zh-CN); null when hidden. */
  text: string | null;
  /** The guide page for this store; null when hidden. */
  guideUrl: string | null;
}

/** What the guide page (and the mini program) shows for one visit (POST/GET /public/guide-visits). */
export interface GuideVisitView {
  available: boolean;
  guideVisitId: string | null;
  storeId: string;
  storeName: string | null;
  accountName: string | null;
  qrCode: string | null;
  miniProgramUrl: string | null;
  /** WeCom confirmed this visit's add (the guide then says so instead of asking again). */
  added: boolean;
  /**
   * Acquisition link of the store's account with this visit's `customer_channel`, when HQ set the
   * store to link mode and the link is usable (quota left); null → mini program / QR as before.
   */
  acquisitionUrl?: string | null;
}

export interface RejectedEvent {
  index: number;
  id?: string;
  reasons: Record<string, string>;
}

/** The answer to POST /public/events. */
export interface IngestResult {
  /** Newly stored. */
  accepted: number;
  /** Already stored earlier (a client retry): success for the client. */
  duplicates: number;
  rejected: RejectedEvent[];
}
