/** A believable enterprise for the demo: HQ, four branches, 48 stores (a few closed), WeCom members. */
export interface SeedBranch {
  id: string;
  name: string;
  city: string[];
}

export const SEED_BRANCHES: SeedBranch[] = [
  { id: 'BR-EAST', name: '华东分公司', city: ['上海', '杭州', '南京', '苏州'] },
  { id: 'BR-SOUTH', name: '华南分公司', city: ['广州', '深圳', '厦门', '佛山'] },
  { id: 'BR-NORTH', name: '华北分公司', city: ['北京', '天津', '济南', '青岛'] },
  { id: 'BR-WEST', name: '西南分公司', city: ['成都', '重庆', '昆明', '贵阳'] },
];

const DISTRICTS = ['中心店', '万达店', '高新店'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['晓燕', '建国', '丽娜', '志强', '海涛', '静', '磊', '婷婷', '伟', '芳', '敏', '洋'];

export interface SeedStore {
  id: string;
  name: string;
  branchId: string;
  isOpen: boolean;
}

export function seedStores(): SeedStore[] {
  const stores: SeedStore[] = [];
  SEED_BRANCHES.forEach((branch, b) => {
    branch.city.forEach((city, c) => {
      DISTRICTS.forEach((district, d) => {
        const n = c * DISTRICTS.length + d + 1;
        stores.push({
          id: `S${b + 1}${String(n).padStart(3, '0')}`,
          name: `${city}${district}`,
          branchId: branch.id,
          // One closed store per branch keeps "closed" visible in every list.
          isOpen: n !== 12,
        });
      });
    });
  });
  return stores;
}

export interface SeedMember {
  userid: string;
  name: string;
  status: 1 | 2 | 4 | 5;
}

/** WeCom members (store service accounts) the simulator knows: two per store plus a few odd ones. */
export function seedMembers(): SeedMember[] {
  // The given name shifts per branch, so stores in the same position of two branches differ.
  const members: SeedMember[] = seedStores().flatMap((store, i) => [
    { userid: `kf_${store.id.toLowerCase()}`, name: `${SURNAMES[i % 12]}${GIVEN[(i * 5 + Math.floor(i / 12)) % 12]}`, status: 1 as const },
    { userid: `kf_${store.id.toLowerCase()}_b`, name: `${SURNAMES[(i + 3) % 12]}${GIVEN[(i * 7 + 1 + Math.floor(i / 12)) % 12]}`, status: 1 as const },
  ]);
  members.push(
    { userid: 'kf_disabled', name: '停用账号', status: 2 },
    { userid: 'kf_left', name: '已离职账号', status: 5 },
    { userid: 'kf_inactive', name: '未激活账号', status: 4 },
  );
  return members;
}
