/** Bodies of the acquisition-link guide mode and its quota. */
/** GET /acquisition/status: the acquisition quota and what each link-mode store shows now. */
export interface AcquisitionStatusBody {
  quota: {
    total: number;
    balance: number;
    low: boolean;
    exhausted: boolean;
    syncedAt: string;
    packages: { balance: number; expireDate: string }[];
  } | null;
  lowBelow: number;
  stores: {
    storeId: string;
    storeName: string;
    accountUserid: string | null;
    accountName: string | null;
    showing: 'link' | 'qr';
    /** Why a link-mode store shows the QR. */
    fallbackReason: 'quota_exhausted' | 'no_account' | 'link_unavailable' | 'link_pending' | null;
  }[];
}

/** PUT /acquisition/guide-mode. */
export interface GuideModeBody {
  updated: number;
}
